/** Dashboard entry: Element Plus (on-demand components, dark theme), ECharts registration, the app. */
import { createApp } from 'vue';
import 'element-plus/theme-chalk/dark/css-vars.css';
import 'element-plus/es/components/select/style/css';
import 'element-plus/es/components/option/style/css';
import 'element-plus/es/components/option-group/style/css';
import 'element-plus/es/components/tooltip/style/css';
import 'element-plus/es/components/date-picker/style/css';
import './styles.css';
import { registerCharts } from './lib/echarts.ts';
import App from './App.vue';

registerCharts();
createApp(App).mount('#app');
